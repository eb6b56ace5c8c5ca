"\${not an interpolation}"
