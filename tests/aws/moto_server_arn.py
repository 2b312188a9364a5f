"""moto_server_arn.py: `python3 -m moto.server`, with two gaps in moto's IAM
enforcement filled, so that an IAM policy written for AWS is judged as AWS
judges it:

  - moto authorises Auto Scaling calls against the resource "*" (it has no
    resource for them), so a statement naming a group's ARN could never
    match; here a call that names an AutoScalingGroupName is authorised
    against that group's ARN, as AWS does;
  - moto names an action by the service in the signature's scope, so
    CloudWatch's calls become "monitoring:GetMetricStatistics"; IAM's (and
    AWS's) prefix is "cloudwatch:".

Every other rule is moto's own.

    python3 tests/aws/moto_server_arn.py -H 127.0.0.1 -p PORT
"""
import sys

from moto.autoscaling.responses import AutoScalingResponse
from moto.iam import access_control
from moto.server import main

# Signing names whose IAM action prefix differs.
IAM_PREFIX = {"monitoring": "cloudwatch"}


def _determine_resource(self):
    name = self._get_param("AutoScalingGroupName")
    if not name:
        return "*"
    group = self.autoscaling_backend.autoscaling_groups.get(name)
    if group is not None:
        return group.arn
    return (f"arn:aws:autoscaling:{self.region}:{self.current_account}:autoScalingGroup:"
            f"00000000-0000-0000-0000-000000000000:autoScalingGroupName/{name}")


AutoScalingResponse._determine_resource = _determine_resource

_base_init = access_control.IAMRequestBase.__init__


def _init(self, *args, **kwargs):
    _base_init(self, *args, **kwargs)
    service, _, name = self._action.partition(":")
    if service in IAM_PREFIX:
        self._action = f"{IAM_PREFIX[service]}:{name}"


access_control.IAMRequestBase.__init__ = _init

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
