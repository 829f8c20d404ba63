"""Schemathesis hooks for tests/test_fuzz_api.py (loaded through SCHEMATHESIS_HOOKS). Random ids only
ever reach a 404, so a generated job_id, submission_id, record_id or address is often swapped for one
that exists (FUZZ_KNOWN: JSON {name: [values]}): the fuzzed input then gets to the code behind the
lookup, where a bad value would reach the database. Any operation with such a name gets this."""
import json
import os

import schemathesis
from hypothesis import strategies as st

KNOWN = json.loads(os.environ.get("FUZZ_KNOWN", "{}"))


def _with_known(values):
    if not isinstance(values, dict) or not any(name in KNOWN for name in values):
        return st.just(values)
    return st.fixed_dictionaries({name: st.sampled_from([value, *KNOWN[name]]) if name in KNOWN else st.just(value)
                                  for name, value in values.items()})


@schemathesis.hook
def flatmap_path_parameters(context, path_parameters):
    return _with_known(path_parameters)


@schemathesis.hook
def flatmap_query(context, query):
    return _with_known(query)


@schemathesis.hook
def flatmap_body(context, body):
    return _with_known(body)
