from flask import Flask

from views.tasks import tasks
from views.tags import blueprint as tags_blueprint

app = Flask(__name__)
app.register_blueprint(tasks, url_prefix="/api/tasks")
app.register_blueprint(tags_blueprint, url_prefix="/api/tags")
