/*
** asg.c: the on-demand Auto Scaling group. SetDesiredCapacity as AWS
** answers it: a value outside MinSize..MaxSize is a ValidationError; with
** HonorCooldown=true during a scaling activity or its cooldown it is
** rejected with ScalingActivityInProgress (the seed relies on this to keep
** paid-for instances). The cooldown starts when the activity completes, as
** AWS documents: when the last instance of a scale-out finishes launching,
** or when the instances of a scale-in are terminated (TerminationDelay after
** the call).
**
** An on-demand instance is launching (not billed) until InService, then
** billed; it serves once registered in ECS. A scale-in's instances stop
** serving and stop being billed at the call (EC2 bills no `shutting-down`
** time); only the activity's completion waits for the termination.
*/
#include "sim_int.h"

/* Which in-service instance to terminate: the one closest to the end of its
** current instance-hour (AWS's default termination policy, which matters
** under per-hour billing), the oldest on a tie. */
static int64_t pick_victim(const sim_state *s) {
    int64_t best = -1, best_left = 0;
    for (size_t i = 0; i < s->ninst; i++) {
        const sim_inst *in = &s->inst[i];
        if (in->pool >= 0 || in->state == INST_GONE) continue;
        if (in->state == INST_LAUNCHING) { /* not yet billed: cheapest to drop */
            if (best < 0 || s->inst[best].state != INST_LAUNCHING ||
                in->serial > s->inst[best].serial)
                best = (int64_t)i;
            continue;
        }
        if (best >= 0 && s->inst[best].state == INST_LAUNCHING) continue;
        int64_t used = (s->now - in->run_t) % 3600;
        int64_t left = 3600 - used;
        if (best < 0 || left < best_left ||
            (left == best_left && in->serial < s->inst[best].serial)) {
            best = (int64_t)i;
            best_left = left;
        }
    }
    return best;
}

static void end_od(sim_state *s, int64_t idx) {
    sim_inst *in = &s->inst[idx];
    if (in->registered) s->od_units -= s->sc->od_weight;
    if (in->state == INST_RUNNING) s->od_in_service--;
    s->od_live--;
    in->end_t = s->now;
    if (in->run_t >= 0) sim_bill(s, in, 0);
    sim_inst_release(s, idx);
}

int sim_asg_set(sim_state *s, int n, int honor, const char **error) {
    const sim_scenario *sc = s->sc;
    s->res->set_calls++;
    *error = NULL;
    if (n < sc->asg_min || n > sc->asg_max) {
        s->res->set_rejected++;
        *error = "ValidationError";
        return 0;
    }
    if (honor && s->now < s->cooldown_until) {
        s->res->set_rejected++;
        *error = "ScalingActivityInProgress";
        return 0;
    }
    int dir = (n > s->od_desired) - (n < s->od_desired);
    if (dir != 0) {
        if (s->last_dir != 0 && dir != s->last_dir && s->now - s->last_dir_t < 3600)
            s->res->flaps++;
        s->last_dir = dir;
        s->last_dir_t = s->now;
    }
    s->od_desired = n;
    if (n > s->od_live) {
        int64_t last = s->now;
        while (s->od_live < n) {
            int64_t idx;
            if (sim_inst_new(s, -1, &idx)) return -1;
            int64_t at = s->now + sim_rng_delay(&s->rng_asg, &sc->od_launch_delay);
            if (at > last) last = at;
            if (sim_inst_event(s, at, EV_RUNNING, idx)) return -1;
            s->od_live++;
            s->res->od_launches++;
        }
        if (last + sc->default_cooldown > s->cooldown_until)
            s->cooldown_until = last + sc->default_cooldown;
    } else if (n < s->od_live) {
        while (s->od_live > n) end_od(s, pick_victim(s));
        int64_t done = s->now + sim_rng_delay(&s->rng_asg, &sc->od_termination_delay);
        if (done + sc->default_cooldown > s->cooldown_until)
            s->cooldown_until = done + sc->default_cooldown;
    }
    return 1;
}

/* On-demand instance transitions. */
int sim_od_event(sim_state *s, int type, int64_t idx) {
    sim_inst *in = &s->inst[idx];
    if (type == EV_RUNNING) {
        in->state = INST_RUNNING;
        in->run_t = s->now;
        s->od_in_service++;
        /* The ASG's own stream: how many on-demand instances a policy starts
        ** must not shift the spot side's registration delays. */
        return sim_inst_event(s, s->now + sim_rng_delay(&s->rng_asg, &s->sc->registration_delay),
                              EV_REGISTERED, idx);
    }
    if (type == EV_REGISTERED) {
        in->registered = 1;
        s->od_units += s->sc->od_weight;
    }
    return 0;
}
