from flask import Blueprint, jsonify

blueprint = Blueprint("tags", __name__)


@blueprint.get("/")
def tags():
    return jsonify([])
