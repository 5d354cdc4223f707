"""Run one job of the app again, as a failed check printed it:

    python tests/viktor_standin reproduce <word>

from the app's folder. The job runs with the field values the word holds (``field_values.encoded``)
on a fresh worker, as the check ran it, which prints what the check found; and then once more in
this process, with its whole traceback, so that a debugger or a print shows what it does.
"""

import sys
import traceback
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parent.parent)  # tests/, where this package is

import viktor as vkt  # noqa: E402

from viktor_standin.app_checks import jobs_of, load_app  # noqa: E402
from viktor_standin.field_values import decoded, described, realized  # noqa: E402
from viktor_standin.jobs import Platform, Run, default_values, nested, problems_of  # noqa: E402
from viktor_standin.server import ViktorStandIn  # noqa: E402
from viktor_standin.workers import Workers  # noqa: E402


def main(arguments: list[str]) -> int:
    if len(arguments) != 2 or arguments[0] != "reproduce":
        print(__doc__.strip(), file=sys.stderr)
        return 2
    folder, entity_name, method, values = decoded(arguments[1])
    app = load_app(folder)
    entity_id, entity_type = next(
        (number, found)
        for number, found in enumerate(app.entity_types, start=1)
        if found.name == entity_name
    )
    (job,) = [job for job in jobs_of(entity_type) if job.method == method]
    print(f"{job.label}, with the field values {described(values)}")
    with ViktorStandIn() as viktor, Workers(app.folder) as workers:
        params = nested({**default_values(entity_type), **realized(values, viktor, app.folder)})
        run = Run(job, params, entity_id)
        platform = Platform(app, viktor, workers)
        problems = problems_of(platform, run, platform.run(run))
        print("\nOn a fresh worker: " + ("\n".join(problems) or "it ends well."))
        print("\nIn this process:", flush=True)
        try:
            result = viktor.run_job(entity_type.controller(), method, job.method_type, params,
                                    entity_id=entity_id)  # fmt: skip
        except vkt.UserError as error:
            print(f"It ends in a vkt.UserError: {error}")
        except Exception:  # the point: show what the job raised, in full
            traceback.print_exc()
        else:
            print(f"It ends in its result: {str(result)[:2000]}")
    return 1 if problems else 0


sys.exit(main(sys.argv[1:]))
