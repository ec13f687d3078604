export { DASHBOARD_BUILD_FOLDER, DASHBOARD_FOLDER, dashboardSourceHash, ensureDashboardBuild } from './dashboard-build.ts';
export { DASHBOARD_ROUTES, registerDashboard } from './register-dashboard.ts';
