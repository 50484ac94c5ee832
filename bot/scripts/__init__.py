"""bot/scripts"""
