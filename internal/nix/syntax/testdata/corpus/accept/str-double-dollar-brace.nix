"$${literal}"
