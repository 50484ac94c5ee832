"""bot/telegram/standin"""
