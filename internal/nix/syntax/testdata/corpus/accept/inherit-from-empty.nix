{ inherit ({ }); }
