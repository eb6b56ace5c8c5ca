let x = "v"; in "${ { a = "${x}"; }.a }"
