#!/usr/bin/python3
"""test_batch_job.py: scripts/sweep-aws-batch.json, the AWS Batch SubmitJob
request of docs/sweep.md, checked against the Batch API's own schema (the
botocore service model of Debian's python3-botocore: every member, type and
required field) and, where moto imports, submitted to moto's Batch API with
a job queue and the job definition it names (the array of 8 jobs accepted
and described back). Its sweep must be the one scripts/sweep-slurm.sbatch
runs, so both recipes merge into the same results.
"""
import json
import os
import re
import shlex
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from awstest import Checks, reexec_for_moto  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# Before any output: this may run the file again under the python3 with moto.
HAVE_MOTO = reexec_for_moto(__file__, "SPOTBENCH_BATCH_MOTO")
c = Checks("batch")
req = json.load(open(os.path.join(ROOT, "scripts", "sweep-aws-batch.json")))

# 1. The schema: botocore's model of SubmitJob.
import botocore.session  # noqa: E402
from botocore.exceptions import ParamValidationError  # noqa: E402
from botocore.validate import validate_parameters  # noqa: E402

shape = botocore.session.get_session().get_service_model("batch").operation_model("SubmitJob").input_shape
try:
    validate_parameters(req, shape)
    c.check("the request is a valid SubmitJob input (botocore's Batch model)", True)
except ParamValidationError as e:
    c.check("the request is a valid SubmitJob input (botocore's Batch model)", False, e)
bad = dict(req, arrayProperties={"size": "8"})
try:
    validate_parameters(bad, shape)
    c.check("the schema check can fail (a size given as a string)", False)
except ParamValidationError:
    c.check("the schema check can fail (a size given as a string)", True)
c.check("an array of 8 jobs", req.get("arrayProperties", {}).get("size") == 8)

# 2. The same sweep as the Slurm recipe.
cmd = req["containerOverrides"]["command"]
c.check("the command runs through sh -c", cmd[:2] == ["sh", "-c"], cmd)
batch_args = shlex.split(cmd[2].split("&&")[0])
sbatch = open(os.path.join(ROOT, "scripts", "sweep-slurm.sbatch")).read()
# The sbatch's sweep command, its continuation lines joined.
body = re.sub(r"\\\n\s*", " ", sbatch[sbatch.index('"$SB" sweep'):])
slurm_args = shlex.split(body.split("\n")[0])


def sweep_of(args):
    """The options that define the sweep (its spec): policy, grids, sets."""
    out, i = [], 0
    while i < len(args):
        if args[i] in ("--policy", "--grid", "--set", "--random", "--samples", "--seed"):
            out.append((args[i], args[i + 1]))
            i += 2
        else:
            i += 1
    return sorted(out)


c.check("the sweep is the one the Slurm job array runs",
        sweep_of(batch_args) == sweep_of(slurm_args), (sweep_of(batch_args), sweep_of(slurm_args)))
c.check("each job writes its own shard, named by its array index",
        "$AWS_BATCH_JOB_ARRAY_INDEX" in cmd[2])

# 3. moto's Batch API, where moto is importable.
if HAVE_MOTO:
    import boto3
    from moto import mock_aws

    os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws(config={"batch": {"use_docker": False}}):
        b = boto3.client("batch", region_name="us-east-1")
        iam = boto3.client("iam", region_name="us-east-1")
        role = iam.create_role(RoleName="batch", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
        ce = b.create_compute_environment(computeEnvironmentName="spotbench", type="UNMANAGED",
                                          state="ENABLED", serviceRole=role)
        b.create_job_queue(jobQueueName=req["jobQueue"], state="ENABLED", priority=1,
                           computeEnvironmentOrder=[{"order": 1,
                                                     "computeEnvironment": ce["computeEnvironmentArn"]}])
        b.register_job_definition(jobDefinitionName=req["jobDefinition"], type="container",
                                  containerProperties={"image": "spotbench:latest",
                                                       "resourceRequirements": [
                                                           {"type": "VCPU", "value": "4"},
                                                           {"type": "MEMORY", "value": "2048"}]})
        try:
            job = b.submit_job(**req)
            d = b.describe_jobs(jobs=[job["jobId"]])["jobs"][0]
            c.check("moto's Batch API accepts the request", bool(job.get("jobId")))
            c.check("moto describes it as an array of 8",
                    d.get("arrayProperties", {}).get("size") == 8, d.get("arrayProperties"))
            c.check("with the command given", d["container"]["command"] == cmd, d["container"].get("command"))
        except Exception as e:  # an API error is a failure of the request
            c.check("moto's Batch API accepts the request", False, e)
else:
    print("SKIPPED: moto's Batch API: moto not importable (the botocore schema check ran)")
sys.exit(c.summary())
