module spanalloc/gotwin

go 1.19
