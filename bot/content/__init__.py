"""bot/content"""
