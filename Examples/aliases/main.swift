print("aliases")
