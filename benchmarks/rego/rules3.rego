# Three rules of the default ISO 42001 pack, written as a Rego author would (partial sets as
# look-ups), for benchmarks/bench_rego.py. Each rule is the set of subject ids that violate it;
# `input` is the export, plus `today` and `cutoff_a52` (today - 365 days) as ISO date strings.
package aims

import rego.v1

# in_scope(sys) of functions.py: marked in scope and, in a pilot, listed by the scope.
in_scope(sys) if {
	sys.in_scope == true
	not input.scope.is_pilot == true
}

in_scope(sys) if {
	sys.in_scope == true
	input.scope.is_pilot == true
	sys.id in input.scope.ai_system_refs
}

# AIMS-A.5.2-01: every in-scope, not retired AI system has an impact assessment approved
# within the last 365 days.
assessed contains ia.ai_system_ref if {
	some ia in input.impact_assessments
	ia.status == "approved"
	ia.approved_at >= input.cutoff_a52
}

a52_01 contains sys.id if {
	some sys in input.ai_systems
	in_scope(sys)
	not sys.lifecycle_stage == "retired"
	not assessed[sys.id]
}

# AIMS-6.1.2-06: every in-scope, not retired AI system appears in some risk's ai_system_refs
# (when the register holds any risk).
risked contains sid if {
	some r in input.risks
	some sid in r.ai_system_refs
}

r6126 contains sys.id if {
	count(input.risks) > 0
	some sys in input.ai_systems
	in_scope(sys)
	not sys.lifecycle_stage == "retired"
	not risked[sys.id]
}

# AIMS-8.3-01: an open risk whose treatment is past due, about no AI system or about one in
# use, has all its treatment controls implemented.
implemented contains c.id if {
	some c in input.controls
	c.status == "implemented"
}

systems[s.id] := s if some s in input.ai_systems

live(sid) if {
	sys := systems[sid]
	in_scope(sys)
	not sys.lifecycle_stage == "retired"
}

about_live_or_none(risk) if not risk.ai_system_refs

about_live_or_none(risk) if count(risk.ai_system_refs) == 0

about_live_or_none(risk) if {
	some sid in risk.ai_system_refs
	live(sid)
}

r831 contains risk.id if {
	some risk in input.risks
	not risk.status == "closed"
	risk.treatment.due < input.today
	about_live_or_none(risk)
	some c in risk.treatment.control_refs
	not implemented[c]
}

violations := {"AIMS-A.5.2-01": a52_01, "AIMS-6.1.2-06": r6126, "AIMS-8.3-01": r831}
