rec { inherit ({ a = 1; }) a; b = a; }
