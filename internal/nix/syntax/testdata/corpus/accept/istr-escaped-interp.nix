''not ''${interpolated}''
