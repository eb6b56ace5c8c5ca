''it's a ' lone quote''
