"""bot/state"""
