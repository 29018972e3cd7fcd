from flask import Blueprint

from .users import users_bp

api_bp = Blueprint("api", __name__, url_prefix="/api")
api_bp.register_blueprint(users_bp)
