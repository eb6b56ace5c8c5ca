<a.b+c-d_e/F0/g>
