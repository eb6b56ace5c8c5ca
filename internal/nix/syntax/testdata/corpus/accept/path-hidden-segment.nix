a/.b
