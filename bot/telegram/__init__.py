"""bot/telegram"""
