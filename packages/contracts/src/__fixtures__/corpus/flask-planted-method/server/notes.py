from flask import Blueprint, jsonify

bp = Blueprint("notes", __name__)


@bp.route("/notes/<int:note_id>")
def get_note(note_id):
    return jsonify({})
