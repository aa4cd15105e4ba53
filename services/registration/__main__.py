from services.registration.app import create_app
from shared.platform.runner import serve

if __name__ == "__main__":
    serve("registration", create_app)
