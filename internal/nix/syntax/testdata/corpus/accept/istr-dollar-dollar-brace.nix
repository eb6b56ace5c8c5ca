''$${literal}''
