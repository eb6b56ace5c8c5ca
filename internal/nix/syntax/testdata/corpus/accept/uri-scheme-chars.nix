git+ssh.v2-x://host/path
