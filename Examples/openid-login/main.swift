print("openid-login")
