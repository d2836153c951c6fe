/** A site configuration for tests: a cold-ish house with a heat pump and store, battery, EV charger, PV. */
export function baseConfig(spoolDir: string, siteId: number, url: string, extra: { prefix?: string; speed?: number; start?: string } = {}) {
  return {
    siteId,
    timezone: 'Europe/Berlin',
    broker: { url, topicPrefix: extra.prefix ?? '' },
    spool: { dir: spoolDir },
    simulation: { start: extra.start ?? '2024-10-26T06:00:00+02:00', speed: extra.speed ?? 600, outdoorOffsetC: -8 },
    devices: {
      battery: { capacityKwh: 10, maxChargeKw: 5, maxDischargeKw: 5, minSocKwh: 1, maxSocKwh: 9.5, initialSocKwh: 5 },
      evCharger: { maxKw: 11, minKw: 1.4, connected: [{ from: '18:00', to: '07:00' }] },
      pv: { peakKw: 6 },
      meter: { baseLoadKw: 0.4 },
      heatPump: { maxKw: 3, house: { lossKwPerK: 0.15, capacityKwhPerK: 3, storeLitres: 500, emitterKwPerK: 0.4 }, initialHouseC: 21, initialStoreC: 45 },
    },
    comfort: { minC: 20, maxC: 22, storeMinC: 30, storeMaxC: 55 },
    peaks: [{ from: '17:00', to: '20:00' }],
    contract: { heartbeatS: 30, graceS: 90 },
  };
}
