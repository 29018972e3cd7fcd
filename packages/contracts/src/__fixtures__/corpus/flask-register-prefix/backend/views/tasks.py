from flask import Blueprint, jsonify, request

tasks = Blueprint("tasks", __name__)


@tasks.route("", methods=["GET"])
def list_tasks():
    return jsonify([])


@tasks.route("", methods=["POST"])
def create_task():
    return jsonify(request.json), 201


@tasks.route("/<task_id>/done", methods=["PUT"])
def finish(task_id):
    return jsonify({})
