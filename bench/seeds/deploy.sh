#!/bin/bash
# The second seed's blue/green deploy (shared/seeds/004_*.txt, "Jenkins 무중단 배포 스크립트"),
# reproduced step by step on one machine: no Jenkins, scp or ssh, the rest as the blog writes it.
#
#   deploy.sh VERSION
#
# Environment (bench/seeds_method.py sets it):
#   SEEDS_DIR   nginx's prefix: nginx.conf, service-url.inc, nginx.pid, the apps' pid files and logs
#   BLUE_PORT, GREEN_PORT   the two slots' ports
#   APP_COMMAND the sample app's command line, without --port and --version (java ... SampleApp)
#
# Two things differ from the blog, both on purpose and neither in its favour or against it:
#   - the health poll sleeps 1 s between tries instead of 10 s (the blog's loop would make each
#     deploy take 10 s longer, with the same traffic switch at its end);
#   - before the switch it checks that the only process on the old port is the app this bench
#     started there, so the `fuser -k` can never kill anything else on the machine;
#   - it prints when it reloaded and when it killed (bash's $EPOCHREALTIME, no extra process).
set -u

version="$1"
cd "$SEEDS_DIR" || exit 1

# 1. Which slot serves now? The include file says (the blog curls the blue port for the same answer).
current_port=$(sed -n 's/.*127\.0\.0\.1:\([0-9]*\);.*/\1/p' service-url.inc)
if [ "$current_port" == "$BLUE_PORT" ]
then
    deployment_target_port=$GREEN_PORT
    old_port=$BLUE_PORT
else
    deployment_target_port=$BLUE_PORT
    old_port=$GREEN_PORT
fi
echo "deploying $version to port $deployment_target_port (now serving: $current_port)"

# 2. Start the new version on the other port (the blog: nohup java -jar -Dserver.port=... &).
nohup $APP_COMMAND --port "$deployment_target_port" --version "$version" > "app-$deployment_target_port.log" 2>&1 &
echo $! > "app-$deployment_target_port.pid"

# 3. Poll its health with curl until it answers, a bounded number of times.
for retry_count in $(seq 10)
do
    if curl -s -f -o /dev/null "http://127.0.0.1:${deployment_target_port}/health"
    then
        echo "health check passed on port ${deployment_target_port} (try $retry_count)"
        break
    fi

    if [ "$retry_count" -eq 10 ]
    then
        echo "health check failed on port ${deployment_target_port}"
        exit 1
    fi

    sleep 1
done

# (Not in the blog: make sure the old port is held only by the app this bench started there, so
# that the fuser -k below can never kill anything else. Checked before the switch, so the kill
# still follows the reload as closely as in the blog.)
holders=$(fuser "${old_port}/tcp" 2>/dev/null | tr -s ' ' '\n' | grep -v '^$')
ours=$(cat "app-$old_port.pid" 2>/dev/null)
for pid in $holders
do
    if [ "$pid" != "$ours" ]
    then
        echo "refusing to deploy: port $old_port is held by pid $pid, which this bench did not start" >&2
        exit 1
    fi
done

# 4. Point nginx at the new port and reload.
echo "set \$service_url http://127.0.0.1:${deployment_target_port};" > service-url.inc && nginx -p "$SEEDS_DIR/" -c "$SEEDS_DIR/nginx.conf" -s reload
echo "switched nginx to ${deployment_target_port} at $EPOCHREALTIME"

# 5. Kill the old version right away: fuser -k sends SIGKILL to whatever holds the old port.
# (fuser also walks /proc/1/fd, which it may not read in a container: that noise is dropped.)
if [ -n "$holders" ]
then
    fuser -s -k -KILL "${old_port}/tcp" 2>&1 | grep -v '^Cannot stat' >&2
    echo "killed the old version on port ${old_port} (pid $ours) at $EPOCHREALTIME"
fi
