"""GET /healthz: for load balancers and the README's first command (cheap: one SELECT 1).
GET /readyz: whether this host should get traffic: the database answers, its migrations are
the ones this code expects, and the outbox is moving (services.operations); otherwise 503
naming the reason, for the load balancer and the operations team."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from services import operations
from storage.db import unit_of_work

blueprint = Blueprint("health", __name__)


@blueprint.get("/healthz")
def healthz():  # noqa: ANN201
    try:
        with current_app.extensions["mm.sessions"]() as session:
            session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        return jsonify(status="unavailable"), 503
    return jsonify(status="ok")


@blueprint.get("/readyz")
def readyz():  # noqa: ANN201
    try:
        with unit_of_work(current_app.extensions["mm.sessions"], read_only=True) as session:
            reason = operations.not_ready_because(session, now=current_app.config["CLOCK"].now())
    except SQLAlchemyError:
        reason = operations.DATABASE_UNAVAILABLE
    if reason:
        return jsonify(status="not_ready", reason=reason), 503
    return jsonify(status="ready")
