from flask import Flask


def create_app():
    app = Flask(__name__)
    from .auth import bp as auth_bp
    app.register_blueprint(auth_bp)
    from .notes import notes_bp
    app.register_blueprint(notes_bp)
    return app
