http://a.b/c:d@e,f$g!h~i*j'k-l_m.n+o%20p?q=r&s=t/u
