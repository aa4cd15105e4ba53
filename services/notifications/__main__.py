from services.notifications.app import create_app
from shared.runner import serve

if __name__ == "__main__":
    serve("notifications", create_app)
