/*
** sim_fixture.h: hand-built scenarios for the simulator's tests (test_sim.c,
** test_market.c). Header-only because each test binary is one file.
*/
#ifndef SPOTBENCH_SIM_FIXTURE_H
#define SPOTBENCH_SIM_FIXTURE_H

#include <stdio.h>
#include <string.h>

#include "sim/sim.h"

#define T0 1488326400LL /* 2017-03-01T00:00:00Z */

/* Scenario storage: up to 4 pools with up to 8 price steps and 1100
** capacity steps each, scripted capacity events, recorded metrics. */
typedef struct {
    sim_scenario sc;
    sim_pool pools[4];
    pol_point price[4][8];
    pol_point avail[4][1100];
    sim_event_spec ev[4];
    pol_point direct[POL_NMETRICS][64];
} fx;

static inline sim_dist constant(int64_t s) { return (sim_dist){1, s, s}; }

/* A model scenario: `npools` pools of c4.xlarge (WeightedCapacity 4) in
** us-east-1a, 1b, ... priced `price` USD/h with a per-unit max of 0.05 (0.2
** per instance, the on-demand price), TargetCapacity 32, diversified; an
** on-demand group of 4-unit instances at 0.2 USD/h, DefaultCooldown 2700;
** spot launch 120 s, on-demand launch 60 s, ECS registration 30 s; the
** controller every minute at second 0 without delays; per-second billing;
** `hours` long. */
static inline void fx_model(fx *f, size_t npools, double price, int hours) {
    memset(f, 0, sizeof *f);
    sim_scenario *sc = &f->sc;
    strcpy(sc->name, "test");
    sc->mode = SIM_MODEL;
    sc->seed = 7;
    sc->start = T0;
    sc->end = T0 + hours * 3600LL;
    sc->billing = SIM_PER_SECOND;
    sc->target_capacity = 32;
    sc->alloc = SIM_DIVERSIFIED;
    sc->pools = f->pools;
    sc->npools = npools;
    for (size_t p = 0; p < npools; p++) {
        sim_pool *pl = &f->pools[p];
        snprintf(pl->instance_type, sizeof pl->instance_type, "c4.xlarge");
        snprintf(pl->az, sizeof pl->az, "us-east-1%c", (char)('a' + p));
        pl->weight = 4;
        pl->max_price = 0.05;
        pl->on_demand_price = 0.2;
        pl->price.pts = f->price[p];
        pl->price.n = 1;
        f->price[p][0] = (pol_point){T0, price};
    }
    sc->fleet_launch_delay = constant(120);
    sc->registration_delay = constant(30);
    sc->cw_delay = constant(0);
    sc->cron = 1;
    sc->cron_interval = 60;
    sc->alarm_periods = 1;
    strcpy(sc->od_instance_type, "c3.xlarge");
    sc->od_weight = 4;
    sc->od_price = 0.2;
    sc->asg_max = 200;
    sc->default_cooldown = 2700;
    sc->od_launch_delay = constant(60);
    sc->events = f->ev;
}

/* Adds a price step to pool p at T0 + at seconds. */
static inline void fx_price(fx *f, size_t p, int64_t at, double price) {
    sim_steps *st = &f->pools[p].price;
    f->price[p][st->n++] = (pol_point){T0 + at, price};
}

#endif
