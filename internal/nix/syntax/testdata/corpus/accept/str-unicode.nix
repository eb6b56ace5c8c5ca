"héllo ✓ 漢字 🎉"
