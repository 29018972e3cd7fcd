from flask import Blueprint, jsonify

notes_bp = Blueprint("notes", __name__, url_prefix="/api/notes")


@notes_bp.get("/")
def list_notes():
    return jsonify([])


@notes_bp.route("/<int:note_id>", methods=["GET", "DELETE"])
def note(note_id):
    return jsonify({})
