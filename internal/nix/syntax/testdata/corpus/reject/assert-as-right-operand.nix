1 + assert true; 1
