from services.identity.app import create_app
from shared.platform.runner import serve

if __name__ == "__main__":
    serve("identity", create_app)
