"""Staff inbox: chats handed over by the bot, answered as LINE pushes."""
