package main

import (
	"fmt"
	"time"

	"github.com/pulumi/pulumi-cloud-sdk/go/apitype"
)

// checkUsage reads the organization's resources under management through the SDK's typed method,
// after checkStacks has left its stack with one resource: hourly rows carry year, month, day and
// hour; monthly rows (asked as `pulumi org usage get --lookback-start` asks, both parameters) only
// year and month; hourly beyond two days is refused.
func checkUsage(c *check, adminToken, org string) {
	admin := c.client(adminToken)

	asked := time.Now().UTC()
	hourly, err := admin.GetUsageSummaryResourceHours(c.ctx, org, apitype.UsageSummaryTimeUnitHourly, ptr(int64(1)), nil)
	c.decoded("GetUsageSummaryResourceHours", hourly, err)
	if len(hourly.Summaries) == 0 {
		fail("GetUsageSummaryResourceHours: no hourly rows after an update: %s", c.lastBody)
	}
	last := hourly.Summaries[len(hourly.Summaries)-1]
	now := time.Now().UTC()
	if last.Month == nil || last.Day == nil || last.Hour == nil || last.WeekNumber != nil {
		fail("GetUsageSummaryResourceHours: an hourly row has year, month, day and hour only: %s", c.lastBody)
	}
	// The current hour's row (the hour may have turned while the request was on its way).
	hour := fmt.Sprint(last.Year, " ", *last.Month, " ", *last.Day, " ", *last.Hour)
	if hour != hourOf(asked) && hour != hourOf(now) {
		fail("GetUsageSummaryResourceHours: the last hourly row is %s, not the current hour %s", hour, hourOf(now))
	}
	if last.Resources < 1 || last.ResourceHours != last.Resources {
		fail("GetUsageSummaryResourceHours: the current hour counts the stack's resource, once: %s", c.lastBody)
	}

	// A window ending at a whole second after the update, once that second has come (a future end is refused).
	end := time.Unix(asked.Unix()+1, 0)
	time.Sleep(time.Until(end))
	monthly, err := admin.GetUsageSummaryResourceHours(c.ctx, org, apitype.UsageSummaryTimeUnitMonthly, ptr(int64(30)), ptr(end.Unix()))
	c.decoded("GetUsageSummaryResourceHours", monthly, err)
	for _, row := range monthly.Summaries {
		if row.Month == nil || row.Day != nil || row.Hour != nil || row.WeekNumber != nil {
			fail("GetUsageSummaryResourceHours: a monthly row has year and month only: %s", c.lastBody)
		}
	}
	if len(monthly.Summaries) == 0 || monthly.Summaries[len(monthly.Summaries)-1].ResourceHours < 1 {
		fail("GetUsageSummaryResourceHours: the monthly summary counts the stack's resource: %s", c.lastBody)
	}

	_, err = admin.GetUsageSummaryResourceHours(c.ctx, org, apitype.UsageSummaryTimeUnitHourly, ptr(int64(3)), nil)
	c.refused("GetUsageSummaryResourceHours", 400, err)
}

func hourOf(t time.Time) string {
	return fmt.Sprint(t.Year(), " ", int(t.Month()), " ", t.Day(), " ", t.Hour())
}
