let { body = 1 }
