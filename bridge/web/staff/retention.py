"""The retention plan (auditor) and a retention run (dpo)."""

from __future__ import annotations

from flask import Blueprint, current_app, g, jsonify, request

from bridge.errors import WhmcsNotConfigured
from bridge.retention.service import check_as_of, plan_report
from bridge.schemas.retention import PlanQueryInSchema, RunInSchema
from bridge.schemas.retention_out import RetentionPlanOutSchema, RetentionRunOutSchema
from bridge.tokens import role_allows
from bridge.web.apidoc import documented
from bridge.web.auth import require_role
from bridge.web.staff.common import load_args, load_json

bp = Blueprint("staff_retention", __name__)


@bp.get("/v1/retention/plan")
@documented("Who is due, held, reactivated and scheduled as of a day", query=PlanQueryInSchema,
            response=RetentionPlanOutSchema,
            description="With `limit`, one page: the customers by client id above `after`, and `next_after` "
                        "for the next page (null on the last).")
@require_role("auditor")
def retention_plan():
    args = load_args(PlanQueryInSchema)
    services = current_app.extensions["bridge"]
    as_of = args["as_of"] or services.clock.now().date()
    plan = plan_report(services.retention, as_of, reveal=role_allows(g.staff.role, "dpo"), after=args["after"],
                       limit=args["limit"])
    return jsonify(RetentionPlanOutSchema().dump(plan))


@bp.post("/v1/retention/run")
@documented("Purge up to `limit` due customers", body=RunInSchema, response=RetentionRunOutSchema,
            errors=(422, 502, 503), description="A future `as_of` only with `dry_run` (else 422).")
@require_role("dpo")
def retention_run():
    data = load_json(RunInSchema) if request.get_data() else RunInSchema().load({})
    services = current_app.extensions["bridge"]
    now = services.clock.now()
    as_of = data["as_of"] or now.date()
    check_as_of(as_of, now=now, dry_run=data["dry_run"])
    if services.whmcs is None and not data["dry_run"]:
        raise WhmcsNotConfigured("a retention run needs BRIDGE_WHMCS_API_URL and credentials")
    report = services.retention_runner(reveal=True).run(as_of, dry_run=data["dry_run"], limit=data["limit"])
    return jsonify(RetentionRunOutSchema().dump(report.as_dict()))
