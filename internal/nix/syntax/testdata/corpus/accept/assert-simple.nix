assert true; 1
