module spanalloc/gotwin/article

go 1.19
