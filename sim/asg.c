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
** The termination policy reads its victim off ordered lists (launching
** instances in launch order; in-service ones by the phase of their
** instance-hour), so a scale-in costs the same whatever the group's size.
**
** An on-demand instance is launching (not billed) until InService, then
** billed; it serves once registered in ECS. A scale-in's instances stop
** serving and stop being billed at the call (EC2 bills no `shutting-down`
** time); only the activity's completion waits for the termination.
*/
#include "sim_int.h"

#include <stdlib.h>

/* An in-service instance's phase: where in its instance-hours it started. */
static int phase(int64_t run_t) { return (int)(((run_t % 3600) + 3600) % 3600); }

/* The first non-empty phase at or after `from`, or -1. */
static int next_phase(const sim_state *s, int from) {
    for (int w = from / 64; w < (3600 + 63) / 64; w++) {
        uint64_t bits = s->asg.od_phase_bits[w];
        if (w == from / 64) bits &= ~0ULL << (from % 64);
        if (bits) return w * 64 + __builtin_ctzll(bits);
    }
    return -1;
}

/* A launching instance of the group goes in service (run_t set). */
static void od_in_service(sim_state *s, int64_t idx) {
    sim_inst *in = &s->inst[idx];
    sim_list_remove(s->inst, &s->asg.od_launching, (int32_t)idx);
    int ph = phase(in->run_t);
    sim_list_insert(s->inst, &s->asg.od_phase[ph], (int32_t)idx);
    s->asg.od_phase_bits[ph / 64] |= 1ULL << (ph % 64);
}

/* Takes a launching or in-service instance off its list. */
static void od_unlist(sim_state *s, int64_t idx) {
    sim_inst *in = &s->inst[idx];
    if (in->state == INST_LAUNCHING) {
        sim_list_remove(s->inst, &s->asg.od_launching, (int32_t)idx);
        return;
    }
    int ph = phase(in->run_t);
    sim_list_remove(s->inst, &s->asg.od_phase[ph], (int32_t)idx);
    if (s->asg.od_phase[ph].head < 0) s->asg.od_phase_bits[ph / 64] &= ~(1ULL << (ph % 64));
}

int sim_asg_init(sim_state *s) {
    s->asg.cooldown_until = INT64_MIN;
    s->asg.od_phase = malloc(3600 * sizeof *s->asg.od_phase);
    if (!s->asg.od_phase) return sim_fail(s, "out of memory");
    for (int ph = 0; ph < 3600; ph++) s->asg.od_phase[ph] = (sim_list){-1, -1};
    s->asg.od_launching = (sim_list){-1, -1};
    return 0;
}

/* The group at its DesiredCapacity at the start, every instance in service
** and registered, past its first hour. */
int sim_asg_start(sim_state *s) {
    for (int k = 0; k < s->sc->asg_desired; k++) {
        int64_t idx;
        if (sim_inst_new(s, -1, &s->asg.od_launching, &idx)) return -1;
        sim_inst *in = &s->inst[idx];
        in->run_t = s->sc->start;
        od_in_service(s, idx);
        in->state = INST_RUNNING;
        in->initial = 1;
        in->registered = 1;
        s->asg.od_live++;
        s->asg.od_in_service++;
        s->asg.od_units += s->sc->od_weight;
    }
    s->asg.od_desired = s->sc->asg_desired;
    return 0;
}

/* Which instance to terminate: a launching one (not yet billed, cheapest to
** drop), the newest -- a departure, declared in docs/scenario.md: AWS's
** default termination policy does not name pending instances; else the
** in-service one closest to the end of its current instance-hour (AWS's
** default termination policy, which matters under per-hour billing), the
** oldest on a tie (AWS: random; here reproducible). Closest to the end of its
** hour at `now` is the phase just after now's (the one that began its hour
** longest ago), wrapping around the hour; one phase holds the instances
** that tie, in launch order. */
static int64_t pick_victim(const sim_state *s) {
    if (s->asg.od_launching.tail >= 0) return s->asg.od_launching.tail;
    int now = phase(s->now);
    int ph = now + 1 < 3600 ? next_phase(s, now + 1) : -1;
    if (ph < 0) ph = next_phase(s, 0);
    return ph < 0 ? -1 : s->asg.od_phase[ph].head;
}

static void end_od(sim_state *s, int64_t idx) {
    sim_inst *in = &s->inst[idx];
    if (in->registered) s->asg.od_units -= s->sc->od_weight;
    if (in->state == INST_RUNNING) s->asg.od_in_service--;
    s->asg.od_live--;
    in->end_t = s->now;
    if (in->run_t >= 0) sim_bill(s, in, 0);
    od_unlist(s, idx);
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
    if (honor && s->now < s->asg.cooldown_until) {
        s->res->set_rejected++;
        *error = "ScalingActivityInProgress";
        return 0;
    }
    int dir = (n > s->asg.od_desired) - (n < s->asg.od_desired);
    if (dir != 0) {
        if (s->asg.last_dir != 0 && dir != s->asg.last_dir && s->now - s->asg.last_dir_t < 3600)
            s->res->flaps++;
        s->asg.last_dir = dir;
        s->asg.last_dir_t = s->now;
    }
    s->asg.od_desired = n;
    if (n > s->asg.od_live) {
        int64_t last = s->now;
        while (s->asg.od_live < n) {
            int64_t idx;
            if (sim_inst_new(s, -1, &s->asg.od_launching, &idx)) return -1;
            int64_t at = s->now + sim_rng_delay(&s->asg.rng_asg, &sc->od_launch_delay);
            if (at > last) last = at;
            if (sim_inst_event(s, at, EV_RUNNING, idx)) return -1;
            s->asg.od_live++;
            s->res->od_launches++;
        }
        if (last + sc->default_cooldown > s->asg.cooldown_until)
            s->asg.cooldown_until = last + sc->default_cooldown;
    } else if (n < s->asg.od_live) {
        while (s->asg.od_live > n) end_od(s, pick_victim(s));
        int64_t done = s->now + sim_rng_delay(&s->asg.rng_asg, &sc->od_termination_delay);
        if (done + sc->default_cooldown > s->asg.cooldown_until)
            s->asg.cooldown_until = done + sc->default_cooldown;
    }
    return 1;
}

/* On-demand instance transitions. */
int sim_od_event(sim_state *s, int type, int64_t idx) {
    sim_inst *in = &s->inst[idx];
    if (type == EV_RUNNING) {
        in->run_t = s->now;
        od_in_service(s, idx);
        in->state = INST_RUNNING;
        s->asg.od_in_service++;
        /* The ASG's own stream: how many on-demand instances a policy starts
        ** must not shift the spot side's registration delays. */
        return sim_inst_event(s,
                              s->now + sim_rng_delay(&s->asg.rng_asg,
                                                     &s->sc->registration_delay),
                              EV_REGISTERED, idx);
    }
    if (type == EV_REGISTERED) {
        in->registered = 1;
        s->asg.od_units += s->sc->od_weight;
    }
    return 0;
}

void sim_asg_free(sim_state *s) {
    free(s->asg.od_phase);
}
