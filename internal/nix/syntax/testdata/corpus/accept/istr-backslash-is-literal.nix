''C:\path\to \n stays literal''
