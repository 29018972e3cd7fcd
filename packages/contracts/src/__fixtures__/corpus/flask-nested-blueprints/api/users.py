from flask import Blueprint, jsonify

users_bp = Blueprint("users", __name__, url_prefix="/users")


@users_bp.get("/<int:user_id>")
def user(user_id):
    return jsonify({})
