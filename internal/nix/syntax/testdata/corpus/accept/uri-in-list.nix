[ https://a.example/x http://b.example/y ftp://c.example/z ]
