module github.com/pinner-dev/pinner

go 1.26.0

require (
	github.com/alecthomas/kong v1.17.0 // indirect
	github.com/google/go-cmp v0.7.0 // indirect
	github.com/google/go-containerregistry v0.22.1 // indirect
	golang.org/x/sync v0.25.0 // indirect
)
