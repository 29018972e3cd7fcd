from flask import Blueprint, jsonify

bp = Blueprint("auth", __name__, url_prefix="/auth")


@bp.route("/login", methods=("GET", "POST"))
def login():
    return jsonify({})


@bp.post("/logout")
def logout():
    return jsonify({})
